import { Suspense, lazy, useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { useRoute } from './router'
import { Home } from './views/Home'
import { JoinPage } from './views/JoinPage'
import { FullMessage } from './views/Page'
import { ParticipantPage } from './views/ParticipantPage'

// Facilitators' screens load on demand: a participant's phone downloads only what it needs.
const CreateCafe = lazy(() => import('./views/CreateCafe').then((m) => ({ default: m.CreateCafe })))
const FacilitatorConsole = lazy(() => import('./views/FacilitatorConsole').then((m) => ({ default: m.FacilitatorConsole })))
const HarvestStudio = lazy(() => import('./views/HarvestStudio').then((m) => ({ default: m.HarvestStudio })))
const PlanPrint = lazy(() => import('./views/PlanPrint').then((m) => ({ default: m.PlanPrint })))
const ProjectorPage = lazy(() => import('./views/ProjectorPage').then((m) => ({ default: m.ProjectorPage })))

export function App() {
  const { t } = useTranslation()
  return <Suspense fallback={<p className="card" aria-busy="true">{t('common.loading')}</p>}><Screen /></Suspense>
}

function Screen() {
  const route = useRoute()
  const { t, i18n } = useTranslation()
  useEffect(() => { document.documentElement.lang = i18n.resolvedLanguage ?? 'fr' }, [i18n.resolvedLanguage])
  switch (route.name) {
    case 'home': return <Home />
    case 'new': return <CreateCafe />
    case 'join': return <JoinPage code={route.code} />
    case 'cafe': return <ParticipantPage cafeId={route.cafeId} />
    case 'facilitate': return <FacilitatorConsole cafeId={route.cafeId} keyFromUrl={route.key} />
    case 'harvest': return <HarvestStudio cafeId={route.cafeId} keyFromUrl={route.key} />
    case 'print': return <PlanPrint cafeId={route.cafeId} keyFromUrl={route.key} kind={route.kind} />
    case 'projector': return <ProjectorPage cafeId={route.cafeId} keyFromUrl={route.key} />
    case 'notFound': return <FullMessage title={t('common.notFound')} />
  }
}
